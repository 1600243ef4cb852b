"""crm_bridge.jobs"""
