"""Time as the office keeps it: the Asia/Shanghai clock and (later) the work calendar. Sits
below ledger/ and reminders/, so both may use it; imports nothing of the project."""
