import { CellRegistry } from '../../api-cell/cells/index.js';
import { openApiDatabase, type ApiDatabase } from '../../api-cell/db/index.js';
import { loadConfig, type Config } from '../runtime/index.js';

/** What a cellctl command works with; connections are opened on first use and closed at exit. */
export class CliContext {
  private apiDb: ApiDatabase | undefined;
  private cellRegistry: CellRegistry | undefined;
  private loaded: Config | undefined;

  constructor(private readonly configFile: string | undefined) {}

  get config(): Config {
    this.loaded ??= loadConfig({ file: this.configFile });
    return this.loaded;
  }

  get api(): ApiDatabase {
    this.apiDb ??= openApiDatabase(this.config.database.api_url, this.databaseOptions());
    return this.apiDb;
  }

  get registry(): CellRegistry {
    this.cellRegistry ??= new CellRegistry(this.api, {
      database: this.databaseOptions(),
      scatterTimeoutMs: this.config.cells.scatter_timeout_ms,
      busName: 'cellctl',
    });
    return this.cellRegistry;
  }

  databaseOptions(): { poolMax: number; connectTimeoutMs: number } {
    return { poolMax: 2, connectTimeoutMs: this.config.database.connect_timeout_ms };
  }

  async close(): Promise<void> {
    await this.cellRegistry?.close();
    await this.apiDb?.close();
  }
}
