"""crm_bridge.state"""
