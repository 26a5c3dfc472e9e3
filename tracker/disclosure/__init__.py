"""依申请公开: the register of requests for government information and their statutory clock."""
