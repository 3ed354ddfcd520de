"""Notifications: e-mail (and, from the register, webhooks) sent by the worker through the outbox."""
