/**
 * Numbered schema migrations for the SQLite store. Append only: a landed migration is never
 * edited, since databases in the field have already run it. `PRAGMA user_version` records the
 * last one applied.
 */
export interface Migration {
  version: number
  name: string
  sql: string
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'jobs, job counts, functions, contexts',
    sql: `
      CREATE TABLE jobs (
        seq          INTEGER PRIMARY KEY,
        job_id       TEXT NOT NULL UNIQUE,
        function     TEXT NOT NULL,
        context      TEXT NOT NULL,
        path         TEXT NOT NULL,
        class_name   TEXT NOT NULL,
        arguments    TEXT NOT NULL,
        action       TEXT NOT NULL,
        external_id  TEXT,
        source       TEXT NOT NULL,
        status       TEXT NOT NULL,
        create_time  INTEGER NOT NULL,
        start_time   INTEGER,
        end_time     INTEGER,
        worker_id    TEXT,
        result       TEXT
      );
      -- Every list query is "filter, newest first, first page": each filter has an index
      -- ending in (create_time, seq) so the page is read in order and the scan stops early.
      CREATE INDEX jobs_by_time            ON jobs (create_time, seq);
      CREATE INDEX jobs_by_status          ON jobs (status, create_time, seq);
      CREATE INDEX jobs_by_function        ON jobs (function, create_time, seq);
      CREATE INDEX jobs_by_function_status ON jobs (function, status, create_time, seq);
      CREATE INDEX jobs_by_worker          ON jobs (worker_id, create_time, seq) WHERE worker_id IS NOT NULL;
      CREATE INDEX jobs_by_worker_status   ON jobs (worker_id, status, create_time, seq) WHERE worker_id IS NOT NULL;

      -- Counting a million index entries takes tens of milliseconds; paginated lists need the
      -- full total on every page. Triggers keep per-scope counts by status so a total is a few
      -- row reads. scope: 'all' (key ''), 'function' (key = function), 'worker' (key = worker id).
      CREATE TABLE job_counts (
        scope  TEXT NOT NULL,
        key    TEXT NOT NULL,
        status TEXT NOT NULL,
        n      INTEGER NOT NULL,
        PRIMARY KEY (scope, key, status)
      ) WITHOUT ROWID;

      CREATE TRIGGER jobs_count_insert AFTER INSERT ON jobs BEGIN
        INSERT INTO job_counts VALUES ('all', '', NEW.status, 1)
          ON CONFLICT (scope, key, status) DO UPDATE SET n = n + 1;
        INSERT INTO job_counts VALUES ('function', NEW.function, NEW.status, 1)
          ON CONFLICT (scope, key, status) DO UPDATE SET n = n + 1;
        INSERT INTO job_counts SELECT 'worker', NEW.worker_id, NEW.status, 1 WHERE NEW.worker_id IS NOT NULL
          ON CONFLICT (scope, key, status) DO UPDATE SET n = n + 1;
      END;

      CREATE TRIGGER jobs_count_delete AFTER DELETE ON jobs BEGIN
        UPDATE job_counts SET n = n - 1 WHERE scope = 'all' AND key = '' AND status = OLD.status;
        UPDATE job_counts SET n = n - 1 WHERE scope = 'function' AND key = OLD.function AND status = OLD.status;
        UPDATE job_counts SET n = n - 1 WHERE scope = 'worker' AND key = OLD.worker_id AND status = OLD.status;
      END;

      CREATE TRIGGER jobs_count_update AFTER UPDATE OF status, function, worker_id ON jobs
      WHEN OLD.status IS NOT NEW.status OR OLD.function IS NOT NEW.function OR OLD.worker_id IS NOT NEW.worker_id
      BEGIN
        UPDATE job_counts SET n = n - 1 WHERE scope = 'all' AND key = '' AND status = OLD.status;
        UPDATE job_counts SET n = n - 1 WHERE scope = 'function' AND key = OLD.function AND status = OLD.status;
        UPDATE job_counts SET n = n - 1 WHERE scope = 'worker' AND key = OLD.worker_id AND status = OLD.status;
        INSERT INTO job_counts VALUES ('all', '', NEW.status, 1)
          ON CONFLICT (scope, key, status) DO UPDATE SET n = n + 1;
        INSERT INTO job_counts VALUES ('function', NEW.function, NEW.status, 1)
          ON CONFLICT (scope, key, status) DO UPDATE SET n = n + 1;
        INSERT INTO job_counts SELECT 'worker', NEW.worker_id, NEW.status, 1 WHERE NEW.worker_id IS NOT NULL
          ON CONFLICT (scope, key, status) DO UPDATE SET n = n + 1;
      END;

      CREATE TABLE functions (
        name            TEXT PRIMARY KEY,
        path            TEXT NOT NULL,
        class_name      TEXT NOT NULL,
        default_context TEXT NOT NULL,
        signature       TEXT,
        artifact_sha    TEXT,
        create_time     INTEGER NOT NULL,
        update_time     INTEGER NOT NULL
      );

      CREATE TABLE contexts (
        name        TEXT PRIMARY KEY,
        config      TEXT NOT NULL,
        update_time INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'jobs listed and counted by context and by source',
    sql: `
      CREATE INDEX jobs_by_context        ON jobs (context, create_time, seq);
      CREATE INDEX jobs_by_context_status ON jobs (context, status, create_time, seq);
      CREATE INDEX jobs_by_source         ON jobs (source, create_time, seq);
      CREATE INDEX jobs_by_source_status  ON jobs (source, status, create_time, seq);

      -- Two more count scopes: 'context' (key = context), 'source' (key = source). A job's
      -- context and source never change, so only inserts, deletes and status updates count.
      INSERT INTO job_counts SELECT 'context', context, status, count(*) FROM jobs GROUP BY context, status;
      INSERT INTO job_counts SELECT 'source', source, status, count(*) FROM jobs GROUP BY source, status;

      CREATE TRIGGER jobs_count_insert_by_origin AFTER INSERT ON jobs BEGIN
        INSERT INTO job_counts VALUES ('context', NEW.context, NEW.status, 1)
          ON CONFLICT (scope, key, status) DO UPDATE SET n = n + 1;
        INSERT INTO job_counts VALUES ('source', NEW.source, NEW.status, 1)
          ON CONFLICT (scope, key, status) DO UPDATE SET n = n + 1;
      END;

      CREATE TRIGGER jobs_count_delete_by_origin AFTER DELETE ON jobs BEGIN
        UPDATE job_counts SET n = n - 1 WHERE scope = 'context' AND key = OLD.context AND status = OLD.status;
        UPDATE job_counts SET n = n - 1 WHERE scope = 'source' AND key = OLD.source AND status = OLD.status;
      END;

      CREATE TRIGGER jobs_count_update_by_origin AFTER UPDATE OF status ON jobs
      WHEN OLD.status IS NOT NEW.status
      BEGIN
        UPDATE job_counts SET n = n - 1 WHERE scope = 'context' AND key = OLD.context AND status = OLD.status;
        UPDATE job_counts SET n = n - 1 WHERE scope = 'source' AND key = OLD.source AND status = OLD.status;
        INSERT INTO job_counts VALUES ('context', NEW.context, NEW.status, 1)
          ON CONFLICT (scope, key, status) DO UPDATE SET n = n + 1;
        INSERT INTO job_counts VALUES ('source', NEW.source, NEW.status, 1)
          ON CONFLICT (scope, key, status) DO UPDATE SET n = n + 1;
      END;
    `,
  },
  {
    version: 3,
    name: 'who started each job, and the audit trail',
    sql: `
      -- The name (never the value) of the API token a job was started with.
      ALTER TABLE jobs ADD COLUMN started_by TEXT;

      -- Changes made through the API: who (a token's name), what, to which thing, and when.
      CREATE TABLE audit (
        seq    INTEGER PRIMARY KEY,
        time   INTEGER NOT NULL,
        actor  TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        status INTEGER NOT NULL
      );
      CREATE INDEX audit_by_actor  ON audit (actor, seq);
      CREATE INDEX audit_by_action ON audit (action, seq);
    `,
  },
]
