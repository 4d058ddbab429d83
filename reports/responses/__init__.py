"""The government's response to each published recommendation: the one write observers
make, recorded as their department's."""
