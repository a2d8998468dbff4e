"""Running test workers in separate processes (the MariaDB concurrency tests)."""
from __future__ import annotations


def run_to_the_end(children, errors, *, timeout: float) -> tuple[list, list[str]]:
    """Start the processes, wait up to `timeout` s for each, kill any still running; return the hung
    processes and the problems the workers reported on the `errors` queue."""
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=timeout)
    hung = [child for child in children if child.is_alive()]
    for child in hung:
        child.kill()
    problems = []
    while not errors.empty():
        problems.append(errors.get())
    return hung, problems
