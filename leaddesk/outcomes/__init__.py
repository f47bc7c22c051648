"""The way back from sales: deals won and lost, recycling into nurture, and re-engagement.

Qt-free. :mod:`~leaddesk.outcomes.config` (currency, reasons, recycle policies, the
re-engagement rule), :mod:`~leaddesk.outcomes.money` (amounts), :mod:`~leaddesk.outcomes.deals`
(opportunity, won, lost), :mod:`~leaddesk.outcomes.recycling` (plans and their timer) and
:mod:`~leaddesk.outcomes.reengagement` ("waking the dead").
"""
