import {
  DataTypes,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Model,
  type ModelStatic,
  type Sequelize,
} from 'sequelize';

type Row<T extends object> = Model<InferAttributes<T & Model>, InferCreationAttributes<T & Model>> & T;

export { COMPUTE_BINARY } from '../bus/index.js';

export interface ServiceAttributes {
  id: CreationOptional<number>;
  uuid: string;
  host: string;
  binary: string;
  topic: string | null;
  report_count: CreationOptional<number>;
  disabled: CreationOptional<boolean>;
  disabled_reason: CreationOptional<string | null>;
  last_seen_up: CreationOptional<Date | null>;
  forced_down: CreationOptional<boolean>;
  version: CreationOptional<number>;
  created_at: CreationOptional<Date>;
  updated_at: CreationOptional<Date | null>;
  deleted_at: CreationOptional<Date | null>;
  deleted: CreationOptional<number>;
}

export type ServiceRow = Row<ServiceAttributes>;

export interface CellModels {
  Service: ModelStatic<ServiceRow>;
}

const id = { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true };
const stamps = { created_at: DataTypes.DATE(6), updated_at: DataTypes.DATE(6) };
const softDelete = { deleted_at: DataTypes.DATE(6), deleted: { type: DataTypes.BIGINT, defaultValue: 0 } };
const options = { timestamps: true, createdAt: 'created_at', updatedAt: 'updated_at' } as const;

/** Binds a cell database's models to one connection; a process may hold many cells at once. */
export function defineCellModels(db: Sequelize): CellModels {
  const Service = db.define<ServiceRow>(
    'services',
    {
      id,
      uuid: DataTypes.CHAR(36),
      host: DataTypes.STRING,
      binary: DataTypes.STRING,
      topic: DataTypes.STRING,
      report_count: { type: DataTypes.BIGINT, defaultValue: 0 },
      disabled: { type: DataTypes.BOOLEAN, defaultValue: false },
      disabled_reason: DataTypes.STRING,
      last_seen_up: DataTypes.DATE(6),
      forced_down: { type: DataTypes.BOOLEAN, defaultValue: false },
      version: { type: DataTypes.INTEGER, defaultValue: 0 },
      ...stamps,
      ...softDelete,
    },
    options,
  );
  return { Service };
}
