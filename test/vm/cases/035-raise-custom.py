class QuotaExceeded(Exception):
    pass

raise QuotaExceeded("limit is 3")
