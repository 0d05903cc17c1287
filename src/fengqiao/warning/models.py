"""Models of fengqiao.warning."""
