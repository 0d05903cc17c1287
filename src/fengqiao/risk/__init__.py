"""The risk register (重大风险清单): screened → identified → listed → tackling → written off → applied."""
