/**
 * Functions and contexts on SQLite. Contexts are stored as their wire JSON, which already has a
 * lossless text form for every field (durations as "<n>s" / "Inf").
 */
import { type ContextConfig, type ContextJson } from '../../domain/context.js'
import { contextFromJson, contextToJson } from '../../domain/context.js'
import type { FunctionRecord } from '../../domain/function.js'
import type { CatalogStore } from '../catalog-store.js'
import type { SqliteDatabase } from './database.js'
import { functionFromRow, type FunctionRow } from '../rows.js'


export class SqliteCatalogStore implements CatalogStore {
  private readonly getFunctionStatement
  private readonly getContextStatement

  constructor(private readonly db: SqliteDatabase) {
    // The two reads on every job submission, prepared once.
    this.getFunctionStatement = db.prepare('SELECT * FROM functions WHERE name = ?')
    this.getContextStatement = db.prepare('SELECT config FROM contexts WHERE name = ?')
  }

  async getFunction(name: string): Promise<FunctionRecord | undefined> {
    const row = this.getFunctionStatement.get(name) as FunctionRow | undefined
    return row && functionFromRow(row)
  }

  async listFunctions(): Promise<FunctionRecord[]> {
    return (this.db.prepare('SELECT * FROM functions ORDER BY name').all() as FunctionRow[]).map(functionFromRow)
  }

  async putFunction(record: FunctionRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO functions (name, path, class_name, default_context, signature, artifact_sha, create_time, update_time)
         VALUES (@name, @path, @class_name, @default_context, @signature, @artifact_sha, @create_time, @update_time)
         ON CONFLICT (name) DO UPDATE SET path = excluded.path, class_name = excluded.class_name,
           default_context = excluded.default_context, signature = excluded.signature,
           artifact_sha = excluded.artifact_sha, update_time = excluded.update_time`,
      )
      .run({
        name: record.name,
        path: record.path,
        class_name: record.className,
        default_context: record.defaultContext,
        signature: record.signature === undefined ? null : JSON.stringify(record.signature),
        artifact_sha: record.artifactSha ?? null,
        create_time: record.createTime,
        update_time: record.updateTime,
      })
  }

  async deleteFunction(name: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM functions WHERE name = ?').run(name).changes > 0
  }

  async getContext(name: string): Promise<ContextConfig | undefined> {
    const row = this.getContextStatement.get(name) as { config: string } | undefined
    return row && contextFromJson(JSON.parse(row.config) as ContextJson)
  }

  async listContexts(): Promise<ContextConfig[]> {
    const rows = this.db.prepare('SELECT config FROM contexts ORDER BY name').all() as { config: string }[]
    return rows.map((row) => contextFromJson(JSON.parse(row.config) as ContextJson))
  }

  async putContext(context: ContextConfig): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO contexts (name, config, update_time) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET config = excluded.config, update_time = excluded.update_time`,
      )
      .run(context.name, JSON.stringify(contextToJson(context)), Date.now())
  }

  async deleteContext(name: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM contexts WHERE name = ?').run(name).changes > 0
  }
}

