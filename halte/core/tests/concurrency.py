"""Racing writers in tests: each thread gets its own database connection."""

import threading

from django.db import connections


def race(workers: int, work):
    """Run work(0..workers-1) in threads released together; return their exceptions."""
    barrier, errors = threading.Barrier(workers), []

    def run(index):
        try:
            barrier.wait()
            work(index)
        except Exception as error:  # returned to the test, which asserts there were none
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
