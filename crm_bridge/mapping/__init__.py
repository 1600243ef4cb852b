"""crm_bridge.mapping"""
