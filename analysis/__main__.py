"""``python -m analysis``: see analysis.cli."""

from analysis.cli import main
from analysis.store.processes import leave_after_interrupt

if __name__ == "__main__":
    status = main()
    leave_after_interrupt(status)  # here, not in main(): tests call main() in their own process
    raise SystemExit(status)
