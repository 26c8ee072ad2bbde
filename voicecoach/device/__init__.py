"""What only a running device needs: `run`'s loop (runtime), its settings and their provisioning, the
service protocol, memory keeping, the models it fetches, and `doctor`, which checks all of it."""
