"""Run tags plantsync sets, so runs can be found by what they are about."""

# The Makini connection a run syncs (schedules, catch-ups and webhook refetches run one
# connection each); filter the Runs page by it for a connection's history.
CONNECTION_TAG = "plantsync/connection"
# Why a run was requested when it is not a schedule tick: catch-up, webhook.
REASON_TAG = "plantsync/reason"
