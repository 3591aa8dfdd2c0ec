"""Distribution channels: share tools, personal invitations, paper and kiosk."""
