"""The legal rules, pure and read-only: the effective-dated policy table (`policy`), the working-day
calendar (`calendar`), period counting (`periods`) and the "why due on this date" explanation
(`explain`). Nothing here writes to the database; the engine (`workflows`) and every front end read
the rules from here."""
