"""The TIME-TO-FOOTAGE DASHBOARD pane: the figures the RTCC reports to council."""

from rtcc_desk.ui.dashboard.pane import DashboardPane

__all__ = ["DashboardPane"]
