"""Caidan (菜单): government purchase of public services from social organizations."""
