-- The report indexes, as created by casework/migrations/0004_report_indexes.py (Case and Deadline
-- Meta.indexes "case_report_idx" and "deadline_resolution_idx"). bench/run_bench.py drops them for
-- its baseline measurement and recreates them with these identical statements.
-- case_report_idx covers every column the resolution and outcome reports read from a case, so a
-- province's cases are read unit by unit from the index alone; deadline_resolution_idx is the
-- resolution clock of each case (index-only join).
CREATE INDEX IF NOT EXISTS case_report_idx ON casework_case
    (unit_id, received_at, accepted_at, decided_at, closed_at, kind, state, id);
CREATE INDEX IF NOT EXISTS deadline_resolution_idx ON casework_deadline
    (case_id, status, due_date, completed_on) WHERE kind = 'resolution';
