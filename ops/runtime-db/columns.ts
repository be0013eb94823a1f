import { DataTypes, literal, type ModelAttributeColumnOptions, type QueryInterface } from 'sequelize';

/** Column shapes the migrations share, so every table spells them the same way. */
type Column = ModelAttributeColumnOptions;

export const column = {
  id: (): Column => ({ type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false }),
  uuid: (allowNull = false): Column => ({ type: DataTypes.CHAR(36), allowNull }),
  string: (allowNull = true, length = 255): Column => ({ type: DataTypes.STRING(length), allowNull }),
  text: (allowNull = true): Column => ({ type: DataTypes.TEXT('medium'), allowNull }),
  int: (allowNull = false, defaultValue: number | null = 0): Column => ({
    type: DataTypes.INTEGER,
    allowNull,
    ...(defaultValue === null ? {} : { defaultValue }),
  }),
  bigint: (allowNull = false): Column => ({ type: DataTypes.BIGINT, allowNull, ...(allowNull ? {} : { defaultValue: 0 }) }),
  float: (allowNull = true): Column => ({ type: DataTypes.FLOAT, allowNull }),
  bool: (defaultValue = false): Column => ({ type: DataTypes.BOOLEAN, allowNull: false, defaultValue }),
  time: (allowNull = true): Column => ({ type: DataTypes.DATE(6), allowNull }),
  foreign: (table: string, onDelete: 'CASCADE' | 'RESTRICT' | 'SET NULL' = 'CASCADE', allowNull = false): Column => ({
    type: DataTypes.BIGINT,
    allowNull,
    references: { model: table, key: 'id' },
    onDelete,
  }),
};

/** created_at (set by the database when the writer leaves it out) and updated_at. */
export function timestamps(): Record<string, Column> {
  return {
    created_at: { type: DataTypes.DATE(6), allowNull: false, defaultValue: literal('CURRENT_TIMESTAMP(6)') },
    updated_at: column.time(),
  };
}

/** Nova's soft delete: `deleted` is 0 while live and the row id once deleted, so unique keys can include it. */
export function softDelete(): Record<string, Column> {
  return { deleted_at: column.time(), deleted: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 } };
}

/**
 * Drops columns in one ALTER TABLE. Sequelize's removeColumn fails on the mariadb dialect
 * (its foreign-key lookup trips over the driver's result arrays), and one statement is one
 * table rebuild instead of one per column.
 */
export async function dropColumns(qi: QueryInterface, table: string, names: string[]): Promise<void> {
  await qi.sequelize.query(`ALTER TABLE \`${table}\` ${names.map((n) => `DROP COLUMN \`${n}\``).join(', ')}`);
}
