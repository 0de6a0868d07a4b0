/**
 * Functions and contexts on PostgreSQL, in the same shape as SQLite's: contexts as their wire
 * JSON (lossless text for every field), a function's signature as JSON text.
 */
import { type ContextConfig, type ContextJson, contextFromJson, contextToJson } from '../../domain/context.js'
import type { FunctionRecord } from '../../domain/function.js'
import type { CatalogStore } from '../catalog-store.js'
import type { PostgresDatabase } from './database.js'
import { functionFromRow, type FunctionRow } from '../rows.js'


const FUNCTION_COLUMNS = 'name, path, class_name, default_context, signature, artifact_sha, create_time, update_time'
// Reads and upserts are safe to repeat; a delete repeated after its first attempt landed would
// answer "nothing deleted", so a delete whose connection broke is answered 503 instead.
const READ = { idempotent: true }
const UPSERT = { idempotent: true }
const DELETE = { idempotent: false }

export class PostgresCatalogStore implements CatalogStore {
  constructor(private readonly db: PostgresDatabase) {}

  async getFunction(name: string): Promise<FunctionRecord | undefined> {
    const [row] = await this.db.run<FunctionRow>(`SELECT ${FUNCTION_COLUMNS} FROM functions WHERE name = $1`, [name], READ)
    return row && functionFromRow(row)
  }

  async listFunctions(): Promise<FunctionRecord[]> {
    // COLLATE "C": the same order as SQLite's (bytewise), whatever the database's locale.
    const rows = await this.db.run<FunctionRow>(`SELECT ${FUNCTION_COLUMNS} FROM functions ORDER BY name COLLATE "C"`, [], READ)
    return rows.map(functionFromRow)
  }

  async putFunction(record: FunctionRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO functions (${FUNCTION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (name) DO UPDATE SET path = excluded.path, class_name = excluded.class_name,
         default_context = excluded.default_context, signature = excluded.signature,
         artifact_sha = excluded.artifact_sha, update_time = excluded.update_time`,
      [
        record.name,
        record.path,
        record.className,
        record.defaultContext,
        record.signature === undefined ? null : JSON.stringify(record.signature),
        record.artifactSha ?? null,
        record.createTime,
        record.updateTime,
      ],
      UPSERT,
    )
  }

  async deleteFunction(name: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM functions WHERE name = $1 RETURNING name', [name], DELETE)).length > 0
  }

  async getContext(name: string): Promise<ContextConfig | undefined> {
    const [row] = await this.db.run<{ config: string }>('SELECT config FROM contexts WHERE name = $1', [name], READ)
    return row && contextFromJson(JSON.parse(row.config) as ContextJson)
  }

  async listContexts(): Promise<ContextConfig[]> {
    const rows = await this.db.run<{ config: string }>('SELECT config FROM contexts ORDER BY name COLLATE "C"', [], READ)
    return rows.map((row) => contextFromJson(JSON.parse(row.config) as ContextJson))
  }

  async putContext(context: ContextConfig): Promise<void> {
    await this.db.run(
      `INSERT INTO contexts (name, config, update_time) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET config = excluded.config, update_time = excluded.update_time`,
      [context.name, JSON.stringify(contextToJson(context)), Date.now()],
      UPSERT,
    )
  }

  async deleteContext(name: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM contexts WHERE name = $1 RETURNING name', [name], DELETE)).length > 0
  }
}

