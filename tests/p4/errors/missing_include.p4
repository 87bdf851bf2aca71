// The preprocessor cannot find the model file.
#include <nonexistent_model.p4>

// ERROR: 2:10: 'nonexistent_model.p4' file not found
