from fengqiao.cli import main

main()
