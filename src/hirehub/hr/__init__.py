"""The HR domain: people, workers, employments, positions, jobs, departments, recruiting, candidates."""
