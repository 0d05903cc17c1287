"""Models of fengqiao.stability."""
