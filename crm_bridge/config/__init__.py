"""crm_bridge.config"""
