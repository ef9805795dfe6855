"""`python -m pipelines.demo_portal --port P --seed S --size small`."""

from pipelines.demo_portal.cli import main

main()
