"""Habits on a schedule with streaks that follow it, and goals with milestones."""
