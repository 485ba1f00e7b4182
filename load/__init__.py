"""The load profile: the guide's flows on Locust, judged by the capacity rules afterwards."""
