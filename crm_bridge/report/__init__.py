"""crm_bridge.report"""
