"""crm_bridge.sandbox"""
