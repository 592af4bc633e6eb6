"""The platform domain: a person's settings, local days and interests, capture tools (inbox, ideas, infobase,
references), feedback, feature flags, onboarding, health, and the admin console."""
