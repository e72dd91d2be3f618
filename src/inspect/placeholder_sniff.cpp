// (replaced by the inspection implementation)
