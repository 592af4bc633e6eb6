-- Create review cards unless the person has them already (momentum.learn.review.add_cards). p_cards is a JSON
-- array of {item_key, lesson_id, question_id, drill_id, card, due, seed, last_review}: the first review of each,
-- which FSRS computes in Python, so the writes that create cards stay one statement.
CREATE OR REPLACE FUNCTION learn_add_cards(p_user_id uuid, p_cards jsonb)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO learn_review_cards (user_id, item_key, lesson_id, question_id, drill_id, card, due, seed, reps,
                                    last_review)
    SELECT p_user_id, c.item_key, c.lesson_id, c.question_id, c.drill_id, c.card, c.due, c.seed, 1, c.last_review
    FROM jsonb_to_recordset(p_cards) AS c (item_key text, lesson_id uuid, question_id text, drill_id uuid,
                                           card jsonb, due timestamptz, seed bigint, last_review timestamptz)
    ON CONFLICT (user_id, item_key) DO NOTHING;
END $$;
