/**
 * Numbered schema migrations for the PostgreSQL store. Append only: a landed migration is never
 * edited, since databases in the field have already run it. The table `haze_migrations` records
 * the ones applied; they run at start-up under an advisory lock (database.ts), so two masters
 * starting together never apply one twice.
 *
 * Job arguments and results are `text`, not `jsonb`: they are kept verbatim (jsonb would round
 * big numbers and reorder keys). Times are epoch milliseconds in `bigint`.
 */
import type { Migration } from '../sqlite/migrations.js'

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'jobs, job counts, functions, contexts, the audit trail',
    sql: `
      CREATE TABLE jobs (
        seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        job_id       text NOT NULL UNIQUE,
        function     text NOT NULL,
        context      text NOT NULL,
        path         text NOT NULL,
        class_name   text NOT NULL,
        arguments    text NOT NULL,
        action       text NOT NULL,
        external_id  text,
        source       text NOT NULL,
        status       text NOT NULL,
        create_time  bigint NOT NULL,
        start_time   bigint,
        end_time     bigint,
        worker_id    text,
        result       text,
        started_by   text
      );
      -- Every list query is "filter, newest first, first page": each filter has an index ending
      -- in (create_time, seq), read backwards, so the page comes in order and the scan stops early.
      CREATE INDEX jobs_by_time            ON jobs (create_time, seq);
      CREATE INDEX jobs_by_status          ON jobs (status, create_time, seq);
      CREATE INDEX jobs_by_function        ON jobs (function, create_time, seq);
      CREATE INDEX jobs_by_function_status ON jobs (function, status, create_time, seq);
      CREATE INDEX jobs_by_worker          ON jobs (worker_id, create_time, seq) WHERE worker_id IS NOT NULL;
      CREATE INDEX jobs_by_worker_status   ON jobs (worker_id, status, create_time, seq) WHERE worker_id IS NOT NULL;
      CREATE INDEX jobs_by_context         ON jobs (context, create_time, seq);
      CREATE INDEX jobs_by_context_status  ON jobs (context, status, create_time, seq);
      CREATE INDEX jobs_by_source          ON jobs (source, create_time, seq);
      CREATE INDEX jobs_by_source_status   ON jobs (source, status, create_time, seq);

      -- Exact totals without counting a million index entries: per-scope counts by status, as in
      -- SQLite. Scopes: 'all' (key ''), 'function', 'worker', 'context', 'source'. Unlike SQLite,
      -- PostgreSQL runs writers in parallel, and a counter row updated by every write would make
      -- them queue behind each other's commits (and deadlock when two moves lock two counters in
      -- opposite orders). So triggers only append signed deltas (inserts never conflict), a total
      -- is job_counts plus the pending deltas, read in one statement (one snapshot: exact), and
      -- job_counts_fold() moves deltas into job_counts in one transaction, which no reader can
      -- see half done.
      CREATE TABLE job_counts (
        scope  text NOT NULL,
        key    text NOT NULL,
        status text NOT NULL,
        n      bigint NOT NULL,
        PRIMARY KEY (scope, key, status)
      );
      CREATE TABLE job_count_deltas (
        scope  text NOT NULL,
        key    text NOT NULL,
        status text NOT NULL,
        delta  bigint NOT NULL
      );
      CREATE INDEX job_count_deltas_by_key ON job_count_deltas (scope, key, status);

      -- Statement-level triggers see every row a statement changed at once (transition tables),
      -- so a bulk insert adds a few aggregated deltas, not five per row.
      CREATE FUNCTION jobs_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO job_count_deltas (scope, key, status, delta)
        SELECT s.scope, s.key, j.status, count(*)
        FROM new_jobs j
        CROSS JOIN LATERAL (VALUES ('all', ''), ('function', j.function), ('context', j.context),
                                   ('source', j.source), ('worker', j.worker_id)) AS s (scope, key)
        WHERE s.key IS NOT NULL
        GROUP BY s.scope, s.key, j.status;
        RETURN NULL;
      END $$;

      CREATE FUNCTION jobs_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO job_count_deltas (scope, key, status, delta)
        SELECT s.scope, s.key, j.status, -count(*)
        FROM old_jobs j
        CROSS JOIN LATERAL (VALUES ('all', ''), ('function', j.function), ('context', j.context),
                                   ('source', j.source), ('worker', j.worker_id)) AS s (scope, key)
        WHERE s.key IS NOT NULL
        GROUP BY s.scope, s.key, j.status;
        RETURN NULL;
      END $$;

      CREATE FUNCTION jobs_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO job_count_deltas (scope, key, status, delta)
        SELECT s.scope, s.key, c.status, sum(c.delta)
        FROM (
          SELECT o.status, o.function, o.context, o.source, o.worker_id, -1 AS delta
          FROM old_jobs o JOIN new_jobs n USING (seq)
          WHERE (o.status, o.function, o.context, o.source, o.worker_id) IS DISTINCT FROM (n.status, n.function, n.context, n.source, n.worker_id)
          UNION ALL
          SELECT n.status, n.function, n.context, n.source, n.worker_id, 1
          FROM old_jobs o JOIN new_jobs n USING (seq)
          WHERE (o.status, o.function, o.context, o.source, o.worker_id) IS DISTINCT FROM (n.status, n.function, n.context, n.source, n.worker_id)
        ) c
        CROSS JOIN LATERAL (VALUES ('all', ''), ('function', c.function), ('context', c.context),
                                   ('source', c.source), ('worker', c.worker_id)) AS s (scope, key)
        WHERE s.key IS NOT NULL
        GROUP BY s.scope, s.key, c.status
        HAVING sum(c.delta) <> 0;
        RETURN NULL;
      END $$;

      CREATE TRIGGER jobs_count_insert AFTER INSERT ON jobs
        REFERENCING NEW TABLE AS new_jobs FOR EACH STATEMENT EXECUTE FUNCTION jobs_count_insert();
      CREATE TRIGGER jobs_count_delete AFTER DELETE ON jobs
        REFERENCING OLD TABLE AS old_jobs FOR EACH STATEMENT EXECUTE FUNCTION jobs_count_delete();
      CREATE TRIGGER jobs_count_update AFTER UPDATE ON jobs
        REFERENCING OLD TABLE AS old_jobs NEW TABLE AS new_jobs FOR EACH STATEMENT EXECUTE FUNCTION jobs_count_update();

      CREATE FUNCTION job_counts_fold() RETURNS void LANGUAGE sql AS $$
        WITH moved AS (DELETE FROM job_count_deltas RETURNING scope, key, status, delta)
        INSERT INTO job_counts (scope, key, status, n)
        SELECT scope, key, status, sum(delta) FROM moved GROUP BY scope, key, status
        ON CONFLICT (scope, key, status) DO UPDATE SET n = job_counts.n + excluded.n
      $$;

      CREATE TABLE functions (
        name            text PRIMARY KEY,
        path            text NOT NULL,
        class_name      text NOT NULL,
        default_context text NOT NULL,
        signature       text,
        artifact_sha    text,
        create_time     bigint NOT NULL,
        update_time     bigint NOT NULL
      );

      CREATE TABLE contexts (
        name        text PRIMARY KEY,
        config      text NOT NULL,
        update_time bigint NOT NULL
      );

      -- Changes made through the API: who (a token's name), what, to which thing, and when.
      CREATE TABLE audit (
        seq    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        time   bigint NOT NULL,
        actor  text NOT NULL,
        action text NOT NULL,
        target text NOT NULL,
        status integer NOT NULL
      );
      CREATE INDEX audit_by_actor  ON audit (actor, seq);
      CREATE INDEX audit_by_action ON audit (action, seq);
    `,
  },
]
