/// The workspace schema, versioned with `PRAGMA user_version`.
/// Migrations only ever move forward: migration N takes a database at version N-1 to N.
/// Add a migration by appending to `migrations`; never edit one that has shipped.
enum Schema {
    static let migrations: [String] = [
        // 1: datasets, their immutable versions, artifacts, and recorded runs.
        """
        CREATE TABLE artifacts (
            hash TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            kind TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE datasets (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        );
        CREATE TABLE dataset_versions (
            id INTEGER PRIMARY KEY,
            dataset_id INTEGER NOT NULL REFERENCES datasets(id),
            version INTEGER NOT NULL,
            content_hash TEXT NOT NULL REFERENCES artifacts(hash),
            rows INTEGER NOT NULL,
            columns INTEGER NOT NULL,
            schema_json TEXT NOT NULL,
            target TEXT,
            description TEXT,
            source TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (dataset_id, version),
            UNIQUE (dataset_id, content_hash)
        );
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            source TEXT NOT NULL,
            script_hash TEXT,
            parameters_json TEXT NOT NULL,
            rappi_version TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            status TEXT NOT NULL,
            error TEXT
        );
        CREATE TABLE run_cells (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            cell INTEGER NOT NULL,
            line INTEGER NOT NULL,
            statement TEXT NOT NULL,
            ok INTEGER NOT NULL,
            values_json TEXT NOT NULL,
            error TEXT,
            duration_ms REAL NOT NULL,
            PRIMARY KEY (run_id, cell)
        );
        """,
        // 2: the model registry.
        """
        CREATE TABLE models (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        );
        CREATE TABLE model_versions (
            id INTEGER PRIMARY KEY,
            model_id INTEGER NOT NULL REFERENCES models(id),
            version INTEGER NOT NULL,
            content_hash TEXT NOT NULL REFERENCES artifacts(hash),
            algorithm TEXT NOT NULL,
            dataset TEXT,
            dataset_version INTEGER,
            dataset_hash TEXT,
            parameters_json TEXT NOT NULL,
            metrics_json TEXT NOT NULL,
            tags_json TEXT NOT NULL,
            stage TEXT NOT NULL DEFAULT 'none',
            run_id INTEGER REFERENCES runs(id),
            created_at TEXT NOT NULL,
            UNIQUE (model_id, version),
            UNIQUE (model_id, content_hash)
        );
        ALTER TABLE runs ADD COLUMN base_directory TEXT;
        """,
        // 3: deployed endpoints and their load profiles.
        """
        CREATE TABLE endpoints (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            model TEXT NOT NULL,
            model_version INTEGER NOT NULL,
            model_hash TEXT NOT NULL,
            target TEXT NOT NULL,
            url TEXT NOT NULL,
            port INTEGER NOT NULL,
            pid INTEGER,
            container TEXT,
            image TEXT,
            auth TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE endpoint_profiles (
            id INTEGER PRIMARY KEY,
            endpoint TEXT NOT NULL,
            report_json TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """,
        // 4: compute targets, pipeline definitions, published pipelines, and the run queue.
        // A pipeline run is a row in `runs` (kind 'pipeline') plus its queue state and steps.
        """
        CREATE TABLE compute_targets (
            name TEXT PRIMARY KEY,
            cores INTEGER NOT NULL,
            memory_bytes INTEGER NOT NULL,
            max_jobs INTEGER NOT NULL,
            created_at TEXT NOT NULL
        );
        INSERT INTO compute_targets (name, cores, memory_bytes, max_jobs, created_at)
        VALUES ('local', 0, 0, 2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
        CREATE TABLE pipelines (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            parameters_json TEXT NOT NULL,
            body TEXT NOT NULL,
            steps_json TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            base_directory TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (name, version)
        );
        CREATE TABLE published_pipelines (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            pipeline_version INTEGER NOT NULL,
            token TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE pipeline_runs (
            run_id INTEGER PRIMARY KEY REFERENCES runs(id),
            pipeline TEXT NOT NULL,
            pipeline_version INTEGER NOT NULL,
            compute TEXT NOT NULL,
            reuse INTEGER NOT NULL,
            trigger TEXT NOT NULL,
            queued_at TEXT NOT NULL,
            executor_pid INTEGER,
            worker_pid INTEGER,
            attempt INTEGER NOT NULL DEFAULT 0,
            cancel_requested INTEGER NOT NULL DEFAULT 0,
            outputs_json TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX pipeline_runs_by_pipeline ON pipeline_runs (pipeline, run_id);
        CREATE TABLE pipeline_steps (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            step INTEGER NOT NULL,
            kind TEXT NOT NULL,
            statement TEXT NOT NULL,
            status TEXT NOT NULL,
            fingerprint TEXT,
            reused_from INTEGER,
            started_at TEXT,
            duration_ms REAL,
            values_json TEXT NOT NULL DEFAULT '{}',
            state_json TEXT,
            log TEXT,
            error TEXT,
            PRIMARY KEY (run_id, step)
        );
        CREATE INDEX pipeline_steps_by_fingerprint ON pipeline_steps (fingerprint, status);
        """,
        // 5: A/B experiments: the experiment, every assignment of a record to a variant, and the
        // outcomes fed back for them. Self-contained (creates its own tables only).
        """
        CREATE TABLE IF NOT EXISTS experiments (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            variant_a TEXT NOT NULL,
            model_a TEXT NOT NULL,
            version_a INTEGER NOT NULL,
            hash_a TEXT NOT NULL,
            variant_b TEXT NOT NULL,
            model_b TEXT NOT NULL,
            version_b INTEGER NOT NULL,
            hash_b TEXT NOT NULL,
            split_a INTEGER NOT NULL,
            unit TEXT,
            seed INTEGER NOT NULL,
            promoted TEXT,
            status TEXT NOT NULL,
            url TEXT,
            port INTEGER,
            pid INTEGER,
            auth TEXT NOT NULL,
            created_at TEXT NOT NULL,
            stopped_at TEXT
        );
        CREATE TABLE IF NOT EXISTS experiment_assignments (
            request_id TEXT PRIMARY KEY,
            experiment TEXT NOT NULL,
            variant TEXT NOT NULL,
            unit TEXT,
            prediction TEXT NOT NULL,
            share_a REAL NOT NULL,
            latency_us INTEGER NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS experiment_assignments_by_variant ON experiment_assignments (experiment, variant);
        CREATE TABLE IF NOT EXISTS experiment_outcomes (
            request_id TEXT PRIMARY KEY,
            experiment TEXT NOT NULL,
            outcome TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS experiment_outcomes_by_experiment ON experiment_outcomes (experiment);
        """,
        // 6: endpoints you can trust: a random id per workspace that names what it creates outside
        // itself (containers, images), generated once here so existing workspaces get one too; and
        // what an endpoint was deployed from (`production`, `latest`, …), so `endpoints` can say
        // when the stage has moved on.
        """
        CREATE TABLE workspace_settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        INSERT INTO workspace_settings (key, value) VALUES ('id', lower(hex(randomblob(4))));
        ALTER TABLE endpoints ADD COLUMN deployed_from TEXT;
        """,
        // 7: every pipeline run has a timeout (seconds of execution), so no run holds a slot forever.
        """
        ALTER TABLE pipeline_runs ADD COLUMN timeout_seconds REAL NOT NULL DEFAULT 3600;
        """,
        // 8: what each recorded cell printed and the charts it drew (SVG artifacts), so a run can be
        // exported as a notebook with its outputs. Self-contained (creates its own table only).
        """
        CREATE TABLE IF NOT EXISTS run_cell_outputs (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            cell INTEGER NOT NULL,
            output TEXT NOT NULL,
            charts_json TEXT NOT NULL,
            PRIMARY KEY (run_id, cell)
        );
        """,
        // 9: compute targets of other kinds than this machine: a Ray cluster's address, custom
        // resources, queue timeout and where rappi is installed on its nodes (settings as JSON).
        """
        ALTER TABLE compute_targets ADD COLUMN kind TEXT NOT NULL DEFAULT 'local';
        ALTER TABLE compute_targets ADD COLUMN settings_json TEXT NOT NULL DEFAULT '{}';
        """,
    ]

    static var currentVersion: Int { migrations.count }

    /// Brings `db` up to `currentVersion`, one transaction per migration.
    static func migrate(_ db: SQLiteDatabase) throws {
        try db.writeTransaction {
            let version = try db.scalar("PRAGMA user_version").int ?? 0
            guard version <= currentVersion else {
                throw WorkspaceError("""
                    this workspace has schema version \(version), newer than this rappi understands \
                    (\(currentVersion)) — upgrade rappi or use another workspace
                    """)
            }
            for index in version..<currentVersion {
                try db.execute(migrations[index])
                try db.execute("PRAGMA user_version = \(index + 1)")
            }
        }
    }
}
