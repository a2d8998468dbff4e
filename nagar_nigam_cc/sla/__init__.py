"""Service levels: the business-time clock (`clock`), pure Python, no Django."""
