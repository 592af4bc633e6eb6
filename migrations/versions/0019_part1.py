"""The rest of Part 1 (schema-part1.md): identity tables, focus, habits and goals, quests, planning.

The product built 0001-0003 first from a subset of the spec (foundation.md). This revision completes Part 1:

- the identity tables still missing from 0001/0002: accounts, authenticators, oauth_states, entitlements,
  role_entitlements;
- 0004 focus, 0005 habits and goals, 0006 quests, 0007 planning, exactly as schema-part1.md writes them;
- the foundation tables' indexes under the spec's names: the UNIQUE constraints on user_skills, user_achievements
  and user_streaks become the spec's named unique indexes (same rule, so ON CONFLICT (a, b) keeps working), and the
  unique token and idempotency indexes are renamed.

Indexes of our own (lookups by parent row) are marked as such; none of them is UNIQUE, so no table accepts less
than the spec says. Two tables of our own make shop items take effect: user_boosts (XP and focus boosts with their
window, banked streak freezes) and user_equipped_items (the avatar, theme and frame a person shows).

Revision ID: 0019_part1
Revises: 0018_learn
"""

from alembic import op

revision = "0019_part1"
down_revision = "0018_learn"
branch_labels = None
depends_on = None

# Tables of our own this revision adds beside the spec's (the schema test holds each revision to its tables).
OWN_TABLES = ("user_boosts", "user_equipped_items")

# Tables with updated_at, which each get the set_updated_at trigger.
UPDATED_AT = (
    "accounts",
    "focus_pause_state",
    "focus_libraries",
    "habits",
    "goals",
    "universal_quests",
    "user_quests",
    "user_quest_progress",
    "calendar_events",
    "daily_plans",
    "plan_templates",
)
# In creation order; the downgrade drops them in reverse.
TABLES = (
    "accounts",
    "authenticators",
    "oauth_states",
    "entitlements",
    "role_entitlements",
    "focus_sessions",
    "focus_pause_state",
    "focus_libraries",
    "focus_library_tracks",
    "habits",
    "habit_completions",
    "goals",
    "goal_milestones",
    "universal_quests",
    "user_quests",
    "user_quest_progress",
    "calendar_events",
    "daily_plans",
    "plan_templates",
    "user_boosts",
    "user_equipped_items",
)


def upgrade() -> None:
    op.execute("""
    -- Foundation indexes under the spec's names. Each unique index is built before the constraint it replaces is
    -- dropped, so the rule holds throughout.
    ALTER TABLE verification_tokens RENAME CONSTRAINT verification_tokens_token_key TO verification_tokens_token_idx;
    ALTER INDEX points_ledger_user_idempotency_idx RENAME TO points_ledger_idempotency_idx;
    CREATE UNIQUE INDEX user_skills_user_skill_idx ON user_skills (user_id, skill_key);
    ALTER TABLE user_skills DROP CONSTRAINT user_skills_user_id_skill_key_key;
    CREATE UNIQUE INDEX user_achievements_user_key_idx ON user_achievements (user_id, achievement_key);
    ALTER TABLE user_achievements DROP CONSTRAINT user_achievements_user_id_achievement_key_key;
    CREATE UNIQUE INDEX user_streaks_user_type_idx ON user_streaks (user_id, streak_type);
    ALTER TABLE user_streaks DROP CONSTRAINT user_streaks_user_id_streak_type_key;

    -- 0001: identity
    CREATE TABLE accounts (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        provider TEXT NOT NULL,
        provider_account_id TEXT NOT NULL,
        refresh_token TEXT,
        access_token TEXT,
        expires_at BIGINT,
        token_type TEXT,
        scope TEXT,
        id_token TEXT,
        session_state TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE INDEX accounts_user_id_idx ON accounts (user_id);
    CREATE UNIQUE INDEX accounts_provider_account_idx ON accounts (provider, provider_account_id);

    CREATE TABLE authenticators (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        credential_id TEXT NOT NULL CONSTRAINT authenticators_credential_id_idx UNIQUE,
        provider_account_id TEXT NOT NULL,
        credential_public_key TEXT NOT NULL,
        counter BIGINT NOT NULL DEFAULT 0,
        credential_device_type TEXT NOT NULL,
        credential_backed_up BOOLEAN NOT NULL DEFAULT false,
        transports TEXT[],
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE INDEX authenticators_user_id_idx ON authenticators (user_id);

    CREATE TABLE oauth_states (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        state TEXT NOT NULL CONSTRAINT oauth_states_state_idx UNIQUE,
        provider TEXT NOT NULL,
        redirect_uri TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        expires_at TIMESTAMPTZ NOT NULL
    );

    -- 0002: RBAC
    CREATE TABLE entitlements (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        name TEXT NOT NULL UNIQUE,
        description TEXT,
        resource TEXT NOT NULL,
        action TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );

    CREATE TABLE role_entitlements (
        role_id UUID REFERENCES roles (id) ON DELETE CASCADE,
        entitlement_id UUID REFERENCES entitlements (id) ON DELETE CASCADE,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        PRIMARY KEY (role_id, entitlement_id)
    );

    -- 0004: focus
    CREATE TABLE focus_sessions (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        mode TEXT NOT NULL,
        duration_seconds INTEGER NOT NULL,
        started_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        completed_at TIMESTAMPTZ,
        abandoned_at TIMESTAMPTZ,
        expires_at TIMESTAMPTZ,
        status TEXT NOT NULL DEFAULT 'active',
        xp_awarded INTEGER NOT NULL DEFAULT 0,
        coins_awarded INTEGER NOT NULL DEFAULT 0,
        task_id UUID,
        task_title TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE INDEX focus_sessions_user_id_idx ON focus_sessions (user_id);
    CREATE INDEX focus_sessions_status_idx ON focus_sessions (status) WHERE status = 'active';
    -- Ours, not the spec's: a person's sessions newest first (history, stats).
    CREATE INDEX focus_sessions_user_started_idx ON focus_sessions (user_id, started_at DESC, id DESC);

    CREATE TABLE focus_pause_state (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        session_id UUID REFERENCES focus_sessions (id) ON DELETE CASCADE,
        is_paused BOOLEAN NOT NULL DEFAULT false,
        time_remaining_seconds INTEGER,
        paused_at TIMESTAMPTZ,
        resumed_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE UNIQUE INDEX focus_pause_state_session_idx ON focus_pause_state (session_id);

    CREATE TABLE focus_libraries (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        description TEXT,
        library_type TEXT NOT NULL DEFAULT 'playlist',
        tracks_count INTEGER NOT NULL DEFAULT 0,
        is_favorite BOOLEAN NOT NULL DEFAULT false,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    -- Ours, not the spec's: a person's libraries.
    CREATE INDEX focus_libraries_user_idx ON focus_libraries (user_id, created_at DESC, id DESC);

    CREATE TABLE focus_library_tracks (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        library_id UUID REFERENCES focus_libraries (id) ON DELETE CASCADE,
        track_id TEXT,
        track_title TEXT NOT NULL,
        track_url TEXT,
        duration_seconds INTEGER,
        sort_order INTEGER NOT NULL DEFAULT 0,
        added_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    -- Ours, not the spec's: a library's tracks.
    CREATE INDEX focus_library_tracks_library_idx ON focus_library_tracks (library_id, sort_order);

    -- 0005: habits and goals
    CREATE TABLE habits (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        description TEXT,
        frequency TEXT NOT NULL DEFAULT 'daily',
        target_count INTEGER NOT NULL DEFAULT 1,
        custom_days INTEGER[],
        icon TEXT,
        color TEXT,
        is_active BOOLEAN NOT NULL DEFAULT true,
        current_streak INTEGER NOT NULL DEFAULT 0,
        longest_streak INTEGER NOT NULL DEFAULT 0,
        last_completed_at TIMESTAMPTZ,
        sort_order INTEGER NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    -- Ours, not the spec's: a person's habits.
    CREATE INDEX habits_user_idx ON habits (user_id, sort_order);

    CREATE TABLE habit_completions (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        habit_id UUID REFERENCES habits (id) ON DELETE CASCADE,
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        completed_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        completed_date DATE NOT NULL,
        notes TEXT
    );
    CREATE INDEX habit_completions_habit_date_idx ON habit_completions (habit_id, completed_date);

    CREATE TABLE goals (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        description TEXT,
        category TEXT,
        target_date DATE,
        started_at TIMESTAMPTZ,
        completed_at TIMESTAMPTZ,
        status TEXT NOT NULL DEFAULT 'active',
        progress INTEGER NOT NULL DEFAULT 0,
        priority INTEGER NOT NULL DEFAULT 0,
        sort_order INTEGER NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    -- Ours, not the spec's: a person's goals.
    CREATE INDEX goals_user_idx ON goals (user_id, sort_order);

    CREATE TABLE goal_milestones (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        goal_id UUID REFERENCES goals (id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        description TEXT,
        is_completed BOOLEAN NOT NULL DEFAULT false,
        completed_at TIMESTAMPTZ,
        sort_order INTEGER NOT NULL DEFAULT 0
    );
    -- Ours, not the spec's: a goal's milestones.
    CREATE INDEX goal_milestones_goal_idx ON goal_milestones (goal_id, sort_order);

    -- 0006: quests
    CREATE TABLE universal_quests (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        title TEXT NOT NULL,
        description TEXT,
        type TEXT NOT NULL,
        xp_reward INTEGER NOT NULL DEFAULT 0,
        coin_reward INTEGER NOT NULL DEFAULT 0,
        target INTEGER NOT NULL DEFAULT 1,
        target_type TEXT NOT NULL,
        target_config JSONB,
        skill_key TEXT,
        is_active BOOLEAN NOT NULL DEFAULT true,
        created_by UUID REFERENCES users (id),
        sort_order INTEGER NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );

    CREATE TABLE user_quests (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        source_quest_id UUID REFERENCES universal_quests (id),
        title TEXT NOT NULL,
        description TEXT,
        category TEXT,
        difficulty TEXT DEFAULT 'normal',
        xp_reward INTEGER NOT NULL DEFAULT 0,
        coin_reward INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'active',
        progress INTEGER NOT NULL DEFAULT 0,
        target INTEGER NOT NULL DEFAULT 1,
        is_active BOOLEAN NOT NULL DEFAULT true,
        is_repeatable BOOLEAN NOT NULL DEFAULT false,
        repeat_frequency TEXT,
        accepted_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        completed_at TIMESTAMPTZ,
        claimed_at TIMESTAMPTZ,
        expires_at TIMESTAMPTZ,
        last_completed_date DATE,
        streak_count INTEGER NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    -- Ours, not the spec's: a person's quests.
    CREATE INDEX user_quests_user_idx ON user_quests (user_id, created_at DESC, id DESC);

    CREATE TABLE user_quest_progress (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        quest_id UUID REFERENCES universal_quests (id) ON DELETE CASCADE,
        status TEXT NOT NULL DEFAULT 'active',
        progress INTEGER NOT NULL DEFAULT 0,
        accepted_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        completed_at TIMESTAMPTZ,
        claimed_at TIMESTAMPTZ,
        last_reset_at TIMESTAMPTZ,
        times_completed INTEGER NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE UNIQUE INDEX user_quest_progress_user_quest_idx ON user_quest_progress (user_id, quest_id);

    -- 0007: planning
    CREATE TABLE calendar_events (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        description TEXT,
        event_type TEXT NOT NULL DEFAULT 'event',
        start_time TIMESTAMPTZ NOT NULL,
        end_time TIMESTAMPTZ,
        all_day BOOLEAN NOT NULL DEFAULT false,
        timezone TEXT DEFAULT 'UTC',
        location TEXT,
        workout_id UUID,
        habit_id UUID,
        goal_id UUID,
        recurrence_rule TEXT,
        recurrence_end DATE,
        parent_event_id UUID REFERENCES calendar_events (id),
        color TEXT,
        reminder_minutes INTEGER,
        metadata JSONB,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE INDEX calendar_events_user_time_idx ON calendar_events (user_id, start_time);
    -- Ours, not the spec's: a recurring event's exceptions.
    CREATE INDEX calendar_events_parent_idx ON calendar_events (parent_event_id);

    CREATE TABLE daily_plans (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        date DATE NOT NULL,
        items JSONB NOT NULL DEFAULT '[]',
        notes TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE UNIQUE INDEX daily_plans_user_date_idx ON daily_plans (user_id, date);

    CREATE TABLE plan_templates (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID REFERENCES users (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        description TEXT,
        items JSONB NOT NULL DEFAULT '[]',
        is_public BOOLEAN NOT NULL DEFAULT false,
        category TEXT,
        use_count INTEGER NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    -- Ours, not the spec's: a person's templates, and the public ones.
    CREATE INDEX plan_templates_user_idx ON plan_templates (user_id, created_at DESC, id DESC);
    CREATE INDEX plan_templates_public_idx ON plan_templates (created_at DESC, id DESC) WHERE is_public;

    -- Ours, not the spec's: what a used shop item does. A boost multiplies XP (kind 'xp') or focus rewards
    -- ('focus') from starts_at to ends_at; a streak freeze has no window and is spent (used_at) on a missed day.
    CREATE TABLE user_boosts (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        purchase_id UUID NOT NULL REFERENCES user_purchases (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CONSTRAINT user_boosts_kind CHECK (kind IN ('xp', 'focus', 'streak_freeze')),
        multiplier INTEGER NOT NULL DEFAULT 1 CONSTRAINT user_boosts_multiplier CHECK (multiplier >= 1),
        label TEXT NOT NULL,
        starts_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        ends_at TIMESTAMPTZ,
        used_at TIMESTAMPTZ,
        used_for TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
    );
    CREATE INDEX user_boosts_user_kind_idx ON user_boosts (user_id, kind, ends_at);

    -- Ours, not the spec's: one equipped cosmetic per slot, from a purchase the person holds.
    CREATE TABLE user_equipped_items (
        user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        slot TEXT NOT NULL CONSTRAINT user_equipped_items_slot CHECK (slot IN ('avatar', 'theme', 'frame')),
        purchase_id UUID NOT NULL REFERENCES user_purchases (id) ON DELETE CASCADE,
        equipped_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        PRIMARY KEY (user_id, slot)
    );
    """)
    for table in UPDATED_AT:
        op.execute(
            f"CREATE TRIGGER {table}_set_updated_at BEFORE UPDATE ON {table}"
            " FOR EACH ROW EXECUTE FUNCTION set_updated_at()"
        )


def downgrade() -> None:
    op.execute("".join(f"DROP TABLE {table};\n" for table in reversed(TABLES)))
    op.execute("""
    ALTER TABLE user_streaks ADD CONSTRAINT user_streaks_user_id_streak_type_key UNIQUE (user_id, streak_type);
    DROP INDEX user_streaks_user_type_idx;
    ALTER TABLE user_achievements
        ADD CONSTRAINT user_achievements_user_id_achievement_key_key UNIQUE (user_id, achievement_key);
    DROP INDEX user_achievements_user_key_idx;
    ALTER TABLE user_skills ADD CONSTRAINT user_skills_user_id_skill_key_key UNIQUE (user_id, skill_key);
    DROP INDEX user_skills_user_skill_idx;
    ALTER INDEX points_ledger_idempotency_idx RENAME TO points_ledger_user_idempotency_idx;
    ALTER TABLE verification_tokens RENAME CONSTRAINT verification_tokens_token_idx TO verification_tokens_token_key;
    """)
