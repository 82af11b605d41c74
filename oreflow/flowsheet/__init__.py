"""What the plant is: case file -> validated, frozen specification -> compiled arrays."""
