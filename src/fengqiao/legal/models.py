"""Models of fengqiao.legal."""
