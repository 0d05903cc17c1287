"""Models of fengqiao.cockpit."""
