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

export interface CellMappingAttributes {
  id: CreationOptional<number>;
  uuid: string;
  name: string;
  transport_url: string;
  database_url: string;
  disabled: CreationOptional<boolean>;
  created_at: CreationOptional<Date>;
  updated_at: CreationOptional<Date | null>;
}

export interface HostMappingAttributes {
  id: CreationOptional<number>;
  cell_id: number;
  host: string;
  created_at: CreationOptional<Date>;
  updated_at: CreationOptional<Date | null>;
}

export interface InstanceMappingAttributes {
  id: CreationOptional<number>;
  instance_uuid: string;
  cell_id: number | null;
  project_id: string;
  user_id: string;
  queued_for_delete: CreationOptional<boolean>;
  created_at: CreationOptional<Date>;
  updated_at: CreationOptional<Date | null>;
}

export type CellMappingRow = Row<CellMappingAttributes>;
export type HostMappingRow = Row<HostMappingAttributes>;
export type InstanceMappingRow = Row<InstanceMappingAttributes>;

export interface ApiModels {
  CellMapping: ModelStatic<CellMappingRow>;
  HostMapping: ModelStatic<HostMappingRow>;
  InstanceMapping: ModelStatic<InstanceMappingRow>;
}

const id = { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true };
const stamps = { created_at: DataTypes.DATE(6), updated_at: DataTypes.DATE(6) };
const options = { timestamps: true, createdAt: 'created_at', updatedAt: 'updated_at' } as const;

/** Binds the API database's models to one connection (no global model classes). */
export function defineApiModels(db: Sequelize): ApiModels {
  const CellMapping = db.define<CellMappingRow>(
    'cell_mappings',
    {
      id,
      uuid: DataTypes.CHAR(36),
      name: DataTypes.STRING,
      transport_url: DataTypes.TEXT,
      database_url: DataTypes.TEXT,
      disabled: { type: DataTypes.BOOLEAN, defaultValue: false },
      ...stamps,
    },
    options,
  );
  const HostMapping = db.define<HostMappingRow>(
    'host_mappings',
    { id, cell_id: DataTypes.BIGINT, host: DataTypes.STRING, ...stamps },
    options,
  );
  const InstanceMapping = db.define<InstanceMappingRow>(
    'instance_mappings',
    {
      id,
      instance_uuid: DataTypes.CHAR(36),
      cell_id: DataTypes.BIGINT,
      project_id: DataTypes.STRING,
      user_id: DataTypes.STRING,
      queued_for_delete: { type: DataTypes.BOOLEAN, defaultValue: false },
      ...stamps,
    },
    options,
  );
  return { CellMapping, HostMapping, InstanceMapping };
}
