"""Fitness: exercises, workouts and their sections, sessions, logged sets, records, programs (schema-part2.md, 0010).

Revision ID: 0010_fitness
Revises: 0009_books
"""

from alembic import op
from momentum_infra.migrate import apply_sql

revision = "0010_fitness"
down_revision = "0009_books"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE TABLE exercises (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        name TEXT NOT NULL,
        description TEXT,
        category TEXT NOT NULL,
        muscle_groups TEXT[],
        equipment TEXT[],
        instructions TEXT,
        video_url TEXT,
        is_custom BOOLEAN NOT NULL DEFAULT false,
        is_builtin BOOLEAN NOT NULL DEFAULT true,
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE INDEX exercises_category_idx ON exercises (category);
    CREATE INDEX exercises_user_idx ON exercises (user_id) WHERE user_id IS NOT NULL;

    CREATE TABLE workouts (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        description TEXT,
        estimated_duration INTEGER,
        difficulty TEXT DEFAULT 'intermediate',
        category TEXT,
        is_template BOOLEAN NOT NULL DEFAULT false,
        is_public BOOLEAN NOT NULL DEFAULT false,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE TRIGGER workouts_set_updated_at BEFORE UPDATE ON workouts
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    CREATE TABLE workout_sections (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        workout_id UUID REFERENCES workouts (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        section_type TEXT DEFAULT 'main',
        sort_order INTEGER NOT NULL DEFAULT 0
    );

    CREATE TABLE workout_exercises (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        workout_id UUID REFERENCES workouts (id) ON DELETE CASCADE,
        section_id UUID REFERENCES workout_sections (id) ON DELETE CASCADE,
        exercise_id UUID REFERENCES exercises (id),
        sets INTEGER,
        reps INTEGER,
        weight REAL,
        duration INTEGER,
        rest_seconds INTEGER DEFAULT 60,
        notes TEXT,
        sort_order INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX workout_exercises_workout_idx ON workout_exercises (workout_id);

    CREATE TABLE workout_sessions (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        workout_id UUID REFERENCES workouts (id),
        started_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        completed_at TIMESTAMPTZ,
        duration_seconds INTEGER,
        notes TEXT,
        rating INTEGER,
        xp_awarded INTEGER NOT NULL DEFAULT 0,
        coins_awarded INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX workout_sessions_user_idx ON workout_sessions (user_id);

    CREATE TABLE exercise_sets (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id UUID REFERENCES workout_sessions (id) ON DELETE CASCADE,
        exercise_id UUID REFERENCES exercises (id),
        set_number INTEGER NOT NULL,
        reps INTEGER,
        weight REAL,
        duration INTEGER,
        is_warmup BOOLEAN NOT NULL DEFAULT false,
        is_dropset BOOLEAN NOT NULL DEFAULT false,
        rpe INTEGER,
        notes TEXT,
        completed_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE INDEX exercise_sets_session_idx ON exercise_sets (session_id);
    -- Ours, not the spec's: personal records compare a new set with earlier sets of the same exercise, and
    -- deleting a custom exercise checks this foreign key.
    CREATE INDEX exercise_sets_exercise_idx ON exercise_sets (exercise_id);

    CREATE TABLE personal_records (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        exercise_id UUID REFERENCES exercises (id),
        record_type TEXT NOT NULL,
        value REAL NOT NULL,
        reps INTEGER,
        achieved_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        exercise_set_id UUID REFERENCES exercise_sets (id),
        previous_value REAL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE INDEX personal_records_user_exercise_idx ON personal_records (user_id, exercise_id, record_type);

    CREATE TABLE training_programs (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        description TEXT,
        duration_weeks INTEGER NOT NULL,
        goal TEXT,
        difficulty TEXT DEFAULT 'intermediate',
        is_active BOOLEAN NOT NULL DEFAULT false,
        current_week INTEGER NOT NULL DEFAULT 1,
        started_at TIMESTAMPTZ,
        completed_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE TRIGGER training_programs_set_updated_at BEFORE UPDATE ON training_programs
        FOR EACH ROW EXECUTE FUNCTION set_updated_at();

    CREATE TABLE program_weeks (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        program_id UUID REFERENCES training_programs (id) ON DELETE CASCADE,
        week_number INTEGER NOT NULL,
        name TEXT,
        is_deload BOOLEAN NOT NULL DEFAULT false,
        notes TEXT
    );
    CREATE INDEX program_weeks_program_idx ON program_weeks (program_id, week_number);

    CREATE TABLE program_workouts (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        program_week_id UUID REFERENCES program_weeks (id) ON DELETE CASCADE,
        workout_id UUID REFERENCES workouts (id),
        day_of_week INTEGER NOT NULL,
        order_index INTEGER NOT NULL DEFAULT 0,
        intensity_modifier REAL NOT NULL DEFAULT 1.0
    );
    """)
    # Ours, not the spec's: the lookups the fitness code makes, so none of them scans a table or a user's history.
    op.execute("""
    -- Logging a set compares it with the current best of each record type: the top of this index, whatever the
    -- size of the history (records only grow, so the best is the highest value).
    CREATE INDEX personal_records_best_idx ON personal_records (user_id, exercise_id, record_type, value DESC);
    -- Deleting or editing a set finds the records derived from it (and the foreign key check needs it).
    CREATE INDEX personal_records_set_idx ON personal_records (exercise_set_id);
    -- A user's sessions, newest first (keyset pagination and the weekly stats window).
    CREATE INDEX workout_sessions_user_started_idx ON workout_sessions (user_id, started_at DESC, id DESC);
    -- Deleting a workout detaches the sessions that were started from it.
    CREATE INDEX workout_sessions_workout_idx ON workout_sessions (workout_id) WHERE workout_id IS NOT NULL;
    -- A user's workouts and the public ones, newest first.
    CREATE INDEX workouts_user_created_idx ON workouts (user_id, created_at DESC, id DESC);
    CREATE INDEX workouts_public_created_idx ON workouts (created_at DESC, id DESC) WHERE is_public;
    -- The nested documents are read (and cascade-deleted) by their parent.
    CREATE INDEX workout_sections_workout_idx ON workout_sections (workout_id);
    CREATE INDEX workout_exercises_section_idx ON workout_exercises (section_id);
    CREATE INDEX workout_exercises_exercise_idx ON workout_exercises (exercise_id);
    CREATE INDEX training_programs_user_created_idx ON training_programs (user_id, created_at DESC, id DESC);
    CREATE INDEX program_workouts_week_idx ON program_workouts (program_week_id);
    CREATE INDEX program_workouts_workout_idx ON program_workouts (workout_id);
    -- The built-in library is listed by name for everyone; custom exercises come from exercises_user_idx.
    CREATE INDEX exercises_builtin_name_idx ON exercises (lower(name), id) WHERE is_builtin;
    """)
    # Logging a set is one statement (one round trip); why it is a plpgsql function: see its file.
    apply_sql("fitness_records_lock", "fitness_log_set")


def downgrade() -> None:
    op.execute("""
    DROP FUNCTION fitness_log_set;
    DROP FUNCTION fitness_records_lock;
    DROP TABLE program_workouts;
    DROP TABLE program_weeks;
    DROP TABLE training_programs;
    DROP TABLE personal_records;
    DROP TABLE exercise_sets;
    DROP TABLE workout_sessions;
    DROP TABLE workout_exercises;
    DROP TABLE workout_sections;
    DROP TABLE workouts;
    DROP TABLE exercises;
    """)
