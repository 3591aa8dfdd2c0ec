"""Webhooks: signed POSTs of each new complete response to an organisation's URL."""
