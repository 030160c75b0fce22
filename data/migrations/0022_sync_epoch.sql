-- 0022: the identity of the hub's log this device follows. A hub rebuilt after losing its storage starts
-- a new log under a new epoch (app/devicesync); a device that meets a new epoch reads the new log from
-- its start and sends all its own changes again (Store.NoteHubEpoch).
ALTER TABLE sync_state ADD COLUMN hub_epoch TEXT NOT NULL DEFAULT '';
