-- A goal as the API shows it (momentum.habits.models.Goal), with its milestones in order: what reading a goal and
-- completing one or a milestone answer.
CREATE OR REPLACE FUNCTION goal_state(p_goal goals)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
SELECT jsonb_build_object(
    'id', p_goal.id, 'title', p_goal.title, 'description', p_goal.description, 'category', p_goal.category,
    'target_date', p_goal.target_date, 'started_at', p_goal.started_at, 'completed_at', p_goal.completed_at,
    'status', p_goal.status, 'progress', p_goal.progress, 'priority', p_goal.priority,
    'sort_order', p_goal.sort_order, 'created_at', p_goal.created_at, 'updated_at', p_goal.updated_at,
    'milestones', coalesce((SELECT jsonb_agg(jsonb_build_object('id', m.id, 'title', m.title,
                                                                'description', m.description,
                                                                'is_completed', m.is_completed,
                                                                'completed_at', m.completed_at,
                                                                'sort_order', m.sort_order) ORDER BY m.sort_order, m.id)
                            FROM goal_milestones m WHERE m.goal_id = p_goal.id), '[]'))
$$;
