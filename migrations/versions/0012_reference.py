"""Reference tracks and their analysis (schema-part2.md, 0012).

Tracks, analysis runs, annotations, regions, frame manifests and data, detected events, listening prompts.

Revision ID: 0012_reference
Revises: 0011_learn
"""

from alembic import op

revision = "0012_reference"
down_revision = "0011_learn"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE reference_tracks (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        description TEXT,
        r2_key TEXT NOT NULL,
        file_size_bytes BIGINT NOT NULL,
        mime_type TEXT NOT NULL,
        duration_seconds REAL,
        artist TEXT,
        album TEXT,
        genre TEXT,
        bpm REAL,
        key_signature TEXT,
        tags TEXT[],
        status TEXT NOT NULL DEFAULT 'processing',
        error_message TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE INDEX reference_tracks_user_idx ON reference_tracks (user_id);
    CREATE INDEX reference_tracks_status_idx ON reference_tracks (status);
    -- Ours, not the spec's: an S3 ObjectCreated event names the object key, and the analyser finds the track by it.
    -- Not UNIQUE: the spec does not make r2_key unique.
    CREATE INDEX reference_tracks_r2_key_idx ON reference_tracks (r2_key);
    CREATE TRIGGER reference_tracks_set_updated_at BEFORE UPDATE ON reference_tracks
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    CREATE TABLE track_analyses (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        track_id UUID REFERENCES reference_tracks (id) ON DELETE CASCADE,
        analysis_type TEXT NOT NULL,
        version TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        started_at TIMESTAMPTZ,
        completed_at TIMESTAMPTZ,
        error_message TEXT,
        summary JSONB,
        manifest JSONB,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE INDEX track_analyses_track_idx ON track_analyses (track_id);
    CREATE TRIGGER track_analyses_set_updated_at BEFORE UPDATE ON track_analyses
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    CREATE TABLE track_annotations (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        track_id UUID REFERENCES reference_tracks (id) ON DELETE CASCADE,
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        start_time_ms INTEGER NOT NULL,
        end_time_ms INTEGER,
        title TEXT NOT NULL,
        content TEXT,
        category TEXT,
        color TEXT,
        is_private BOOLEAN NOT NULL DEFAULT true,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    -- Ours, not the spec's: annotations and regions are always listed per track.
    CREATE INDEX track_annotations_track_idx ON track_annotations (track_id);
    CREATE TRIGGER track_annotations_set_updated_at BEFORE UPDATE ON track_annotations
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    CREATE TABLE track_regions (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        track_id UUID REFERENCES reference_tracks (id) ON DELETE CASCADE,
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        start_time_ms INTEGER NOT NULL,
        end_time_ms INTEGER NOT NULL,
        name TEXT NOT NULL,
        description TEXT,
        section_type TEXT,
        color TEXT,
        display_order INTEGER NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE INDEX track_regions_track_idx ON track_regions (track_id);
    CREATE TRIGGER track_regions_set_updated_at BEFORE UPDATE ON track_regions
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    CREATE TABLE analysis_frame_manifests (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        analysis_id UUID REFERENCES track_analyses (id) ON DELETE CASCADE,
        manifest_version INTEGER NOT NULL DEFAULT 1,
        hop_ms INTEGER NOT NULL,
        frame_count INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        sample_rate INTEGER NOT NULL,
        bands INTEGER NOT NULL,
        bytes_per_frame INTEGER NOT NULL,
        frame_layout JSONB NOT NULL,
        events JSONB,
        fingerprint TEXT,
        analyzer_version TEXT NOT NULL,
        chunk_size_frames INTEGER NOT NULL,
        total_chunks INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    -- Ours, not the spec's: the visualiser reads an analysis's manifest by analysis_id.
    CREATE INDEX analysis_frame_manifests_analysis_idx ON analysis_frame_manifests (analysis_id);

    CREATE TABLE analysis_frame_data (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        manifest_id UUID REFERENCES analysis_frame_manifests (id) ON DELETE CASCADE,
        chunk_index INTEGER NOT NULL,
        start_frame INTEGER NOT NULL,
        end_frame INTEGER NOT NULL,
        start_time_ms INTEGER NOT NULL,
        end_time_ms INTEGER NOT NULL,
        frame_data BYTEA NOT NULL,
        frame_count INTEGER NOT NULL,
        compressed BOOLEAN NOT NULL DEFAULT false,
        compression_type TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE UNIQUE INDEX analysis_frame_data_manifest_chunk_idx ON analysis_frame_data (manifest_id, chunk_index);

    CREATE TABLE analysis_events (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        analysis_id UUID REFERENCES track_analyses (id) ON DELETE CASCADE,
        time_ms INTEGER NOT NULL,
        duration_ms INTEGER,
        event_type TEXT NOT NULL,
        event_data JSONB,
        confidence REAL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE INDEX analysis_events_analysis_time_idx ON analysis_events (analysis_id, time_ms);

    CREATE TABLE listening_prompt_templates (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        name TEXT NOT NULL,
        description TEXT,
        category TEXT NOT NULL,
        difficulty TEXT NOT NULL DEFAULT 'beginner',
        prompt_text TEXT NOT NULL,
        hints JSONB,
        expected_observations JSONB,
        tags TEXT[],
        display_order INTEGER NOT NULL DEFAULT 0,
        is_active BOOLEAN NOT NULL DEFAULT true,
        created_by UUID REFERENCES users (id),
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE TRIGGER listening_prompt_templates_set_updated_at BEFORE UPDATE ON listening_prompt_templates
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    CREATE TABLE listening_prompt_presets (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        name TEXT NOT NULL,
        description TEXT,
        template_id UUID REFERENCES listening_prompt_templates (id) ON DELETE CASCADE,
        preset_type TEXT NOT NULL,
        config JSONB NOT NULL,
        is_active BOOLEAN NOT NULL DEFAULT true,
        created_by UUID REFERENCES users (id),
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE TRIGGER listening_prompt_presets_set_updated_at BEFORE UPDATE ON listening_prompt_presets
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();
    """)


def downgrade() -> None:
    op.execute("""
    DROP TABLE listening_prompt_presets;
    DROP TABLE listening_prompt_templates;
    DROP TABLE analysis_events;
    DROP TABLE analysis_frame_data;
    DROP TABLE analysis_frame_manifests;
    DROP TABLE track_regions;
    DROP TABLE track_annotations;
    DROP TABLE track_analyses;
    DROP TABLE reference_tracks;
    """)
