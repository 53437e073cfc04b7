"""Stages de seconde: domain rules and services of the DSDEN 71 pilot."""
