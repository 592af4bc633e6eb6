"""Planning: calendar events with recurrence and an .ics export, daily plans, and plan templates."""
